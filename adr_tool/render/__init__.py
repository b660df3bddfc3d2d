"""Renderers: terminal text, JSON, CSV and the static site. No rendering logic lives in cli."""
