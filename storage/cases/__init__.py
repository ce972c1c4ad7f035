"""The case library (经验交流): cases written with their segmented words, and the search."""
