"""Keeping an installation healthy: backups and restores of the embedded database."""
