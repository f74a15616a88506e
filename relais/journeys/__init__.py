"""Journey analytics (seed ``000_…``): segmentation of publics, journey maps mined from event
logs with time per step, failure demand, recommendations ranked by measured gain.

It reads the kernel's interaction log and contacts only, and imports no other app (the
import-linter contracts in ``pyproject.toml`` say so).
"""
