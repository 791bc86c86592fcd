"""The audit trail: who changed who may do what, how the team works, and who deleted what."""
