"""Fuzzing ce-lint: seeds, mutations, properties, minimisation and the long campaign.

tests/test_fuzz.py runs the properties under Hypothesis; tools/fuzz/campaign.py runs them for
hours in subprocess workers. Both mutate the bundled fixtures (fixtures/), whose before/after
pairs are found by name.
"""
