// Kube
