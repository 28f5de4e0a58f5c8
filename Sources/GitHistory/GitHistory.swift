// GitHistory
