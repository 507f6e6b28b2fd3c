"""My Vigil: the supporter's account area (everything they joined, their data, deletion)."""
