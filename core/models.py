"""Models of the infrastructure itself (its apps keep their own)."""
