"""Hardware profiles: what the machine a training job runs on can do.

A profile comes from a built-in name (`a100x8`), a YAML file, or a probe of the local
machine through torch. Only `worker.py` imports torch, and only in a subprocess; this
package must stay importable without torch, transformers or accelerate.
"""
