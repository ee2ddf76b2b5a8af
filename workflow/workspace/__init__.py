"""A panel workspace: its paths, who may read it, how it is made, one change at a time.

Owns: ``paths`` (``Workspace``: every path a command uses), ``privacy`` (owner-only modes),
``initialise`` (``ccp init``) and ``transaction`` (lock, read, change, save: the one way a
command writes the register). May import: ``core``, ``contract``, ``forms``, ``register``.
"""
