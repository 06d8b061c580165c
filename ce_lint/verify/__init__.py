"""Smoke-training verification: prove that a config really trains.

The parent side (request, blame, runner, report, options) imports no heavy library; the
worker process (worker, smoke, tiny) imports torch, transformers and sentence-transformers.
"""
