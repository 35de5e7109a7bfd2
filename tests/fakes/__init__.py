"""Local stand-ins for the platforms, shared by the adapter and insight tests."""
