library(testthat)
library(smoteguard)

test_check("smoteguard")
