"""``ccp demo``: a worked example on fictional data, and its year of history.

Owns: ``data`` (the fictional people and papers), ``build``, ``history``, ``interval`` and
``word_filler`` (an imitation of a person filling a Word form; the demo and the tests use
it, production code never does). May import: anything but ``cli`` and ``web``.
"""
