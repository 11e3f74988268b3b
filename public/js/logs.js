// Live log tail (filled in by the logs page).
