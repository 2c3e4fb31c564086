"""Writers: each makes one kind of AWS change through the seam and reports its outcome."""
