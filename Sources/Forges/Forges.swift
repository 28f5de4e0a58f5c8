// Forges
