"""Goals, reflections and milestones: private by default, shared only by their author."""
