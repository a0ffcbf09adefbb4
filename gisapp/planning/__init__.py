"""Co-decide and co-build (决策共谋, 发展共建), planners' side: demand, sites, projects."""
