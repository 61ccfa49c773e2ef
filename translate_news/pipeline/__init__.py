"""The work itself: the translator and its memory, the summariser, folder runs and Ray,
shortlist building, evaluation, the doctor. Imports every layer below; no shell."""
