"""The starter agent's parts: each file holds one concern, and only agent.py wires them into LiveKit."""
