"""Co-decide (决策共谋), residents' side: pin a problem, support, follow, rate."""
