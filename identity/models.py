# Staff are Django users; partner-agency clients, roles and regional scoping arrive with their issue.
