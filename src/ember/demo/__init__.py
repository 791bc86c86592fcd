"""The demo data set: a sales team with a realistic pipeline and history (`ember demo`).

``generator.generate`` builds it; everything else here supplies its parts.
"""
