"""The annual evaluation (年度考评): rounds, the dossier, self-assessments, the democratic
rating with one-time links and anonymous ballots, district ratings, the result and the renewal
sheet."""
