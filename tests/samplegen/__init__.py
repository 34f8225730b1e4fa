"""Tests for the synthetic sample-district generator (cbe_bridge.samplegen)."""
