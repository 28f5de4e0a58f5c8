// Reconcile
