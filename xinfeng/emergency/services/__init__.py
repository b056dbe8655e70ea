"""Every write of emergency mode: ``<entity>_<action>(*, actor, …)``, atomic."""
