"""Which hardware profile a file is judged against.

`--hardware` on the command line wins; then the CE_LINT_HARDWARE variable; then
`per-file-hardware` (glob -> profile) and `hardware` in [tool.ce-lint]; else `auto`.
A profile is `local` (probe this machine), a built-in name (`t4`, `a100x8`), a path to a
profile file, or `off` (rules that need a profile stay quiet). `auto` probes the local
machine, but only when torch is importable here and only once a rule asks for hardware:
a config without hardware-dependent settings never starts the probe. When torch is not
installed, hardware rules are skipped and one line says so on stderr.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .builtin import builtin_profile
from .profile import HardwareProfile, ProfileError, profile_from_data

LOCAL = "local"
AUTO = "auto"
OFF = "off"
ENVIRONMENT_VARIABLE = "CE_LINT_HARDWARE"


def _torch_importable() -> bool:
    from .probe import torch_importable  # the probe module is needed only from here on

    return torch_importable()


def _is_path(spec: str) -> bool:
    return "/" in spec or "\\" in spec or spec.endswith((".yaml", ".yml"))


def resolve_spec(spec: Any, base_dir: Path) -> HardwareProfile | str:
    """A profile, or LOCAL / AUTO / OFF. Raises ProfileError for a bad name, file or mapping.

    A mapping is an inline profile (what rule examples use): facts, optionally on a `base`.
    """
    if isinstance(spec, dict):
        data = dict(spec)
        base = builtin_profile(str(data.pop("base"))) if "base" in data else None
        profile = profile_from_data(data, "inline hardware profile", base)
        return replace(profile, source="inline")
    if not isinstance(spec, str) or not spec.strip():
        raise ProfileError(f"a hardware profile is a name or a file path, not {spec!r}")
    text = spec.strip()
    if text.lower() in (LOCAL, AUTO, OFF):
        return text.lower()
    if _is_path(text):
        path = Path(text).expanduser()
        return load_profile_file(path if path.is_absolute() else base_dir / path)
    return builtin_profile(text)


class HardwareSelection:
    """Callable: path -> the profile to judge it against, or None (hardware rules skipped)."""

    def __init__(
        self,
        choice: str | None = None,
        settings_choice: Any = None,
        per_file: dict[str, Any] | None = None,
        relative: Callable[[str], str] = lambda path: path,
        settings_root: Path | None = None,
        notify: Callable[[str], None] = lambda message: None,
        local: Callable[[], HardwareProfile] | None = None,
        torch_available: Callable[[], bool] | None = None,
        auto_is_local: bool = False,
    ):
        """`auto_is_local`: `auto` judges this machine as the training machine (verify trains
        here); otherwise this machine only stands in for it (see HardwareProfile.assumed)."""
        root = settings_root or Path.cwd()
        self.notify = notify
        self._local = local
        self._torch_available = torch_available or _torch_importable
        self.auto_is_local = auto_is_local
        self._probed: HardwareProfile | None = None
        # path -> the identity of the profile it was judged against (HardwareProfile.identity)
        self.judged: dict[str, str] = {}
        self._probe_failed = False
        self.relative = relative
        # Resolve every named profile and file now, so that a typo is a usage error at once.
        choice = choice or os.environ.get(ENVIRONMENT_VARIABLE) or None
        self.global_choice = resolve_spec(choice, Path.cwd()) if choice else None
        if self.global_choice is None and settings_choice is not None:
            self.global_choice = resolve_spec(settings_choice, root)
        self.per_file: list[tuple[str, HardwareProfile | str]] = []
        if per_file is not None and not isinstance(per_file, dict):
            raise ProfileError("`per-file-hardware` must map path globs to hardware profiles")
        if choice is None:
            for pattern, spec in (per_file or {}).items():
                self.per_file.append((pattern, resolve_spec(spec, root)))
        wanted = [self.global_choice, *(c for _, c in self.per_file)]
        if LOCAL in wanted and not self._torch_available():
            raise ProfileError(
                "`--hardware local` probes this machine through torch, which is not installed "
                "here; name the training machine instead (e.g. a100x8) or give a profile file"
            )

    def choice_for(self, path: str) -> HardwareProfile | str:
        rel = self.relative(path)
        for pattern, choice in self.per_file:
            if fnmatch.fnmatch(rel, pattern):
                return choice
        return self.global_choice if self.global_choice is not None else AUTO

    def __call__(self, path: str) -> HardwareProfile | None:
        """The profile `path` is judged against (remembered in `judged`)."""
        profile = self._profile_for(path)
        self.judged[path] = self._identity(profile)
        return profile

    def identity_for(self, path: str) -> str:
        """What `judged` would say of `path` now (the results cache compares the two)."""
        return self._identity(self._profile_for(path))

    @staticmethod
    def _identity(profile: HardwareProfile | None) -> str:
        return "none" if profile is None else profile.identity()

    def _profile_for(self, path: str) -> HardwareProfile | None:
        choice = self.choice_for(path)
        if isinstance(choice, HardwareProfile):
            return choice
        if choice == OFF:
            return None
        profile = self.local_profile(auto=choice == AUTO)
        if profile is not None and choice == AUTO and not self.auto_is_local:
            return replace(profile, assumed=True)
        return profile

    def local_profile(self, auto: bool) -> HardwareProfile | None:
        if self._probed is not None:
            return self._probed
        if self._probe_failed:
            return None
        if auto and not self._torch_available():
            self._probe_failed = True
            self.notify(
                "hardware rules skipped: torch is not installed here, so this machine cannot "
                "be probed; name the training machine with --hardware (e.g. a100x8) or a profile file"
            )
            return None
        from .probe import ProbeError, local_profile

        try:
            self._probed = (self._local or local_profile)()
        except (ProbeError, ProfileError) as exc:
            self._probe_failed = True
            self.notify(f"hardware rules skipped: {exc}")
            return None
        return self._probed


def load_profile_file(path: Path) -> HardwareProfile:
    import yaml

    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read hardware profile {where}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"hardware profile {where} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"hardware profile {where} must be a mapping of facts")
    base = None
    if "base" in data:
        base = builtin_profile(str(data.pop("base")))
    data.setdefault("name", path.stem)
    profile = profile_from_data(data, where, base)
    return replace(profile, source=where)
