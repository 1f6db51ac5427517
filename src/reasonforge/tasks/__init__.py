"""Task suites: seeded synthetic families (math.py, code.py, logic.py: generator and verifier of
each), their pools (pools.py), real-data loaders (loaders.py) and verification (verify.py).

Nothing is imported here: a stage that imports one module of the package depends on that module
and what it imports, not on every family's generator.
"""
