"""Trend charts drawn as PNG images (headless: matplotlib's Agg backend, no pyplot state)."""
