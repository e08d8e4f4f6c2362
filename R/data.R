#' Wisconsin breast biopsies: benign and malignant
#'
#' Cytology of 683 fine-needle aspirates of breast masses, scored by
#' Dr William H. Wolberg at the University of Wisconsin Hospitals, Madison,
#' between 1989 and 1991: nine features, each scored on a whole-number scale
#' from 1 to 10, and the diagnosis. It is the Breast Cancer Wisconsin
#' (Original) data set of the UCI Machine Learning Repository, without the
#' 16 samples that miss the bare-nuclei score and without the sample code.
#' Its classes are imbalanced: 444 benign (65%) and 239 malignant (35%).
#' Many rows repeat: 234 of the 683 are exact copies of an earlier row.
#'
#' @format A data frame with 683 rows and 10 columns:
#' \describe{
#'   \item{clump_thickness}{Clump thickness (integer, 1-10).}
#'   \item{cell_size}{Uniformity of cell size (integer, 1-10).}
#'   \item{cell_shape}{Uniformity of cell shape (integer, 1-10).}
#'   \item{marginal_adhesion}{Marginal adhesion (integer, 1-10).}
#'   \item{epithelial_size}{Single epithelial cell size (integer, 1-10).}
#'   \item{bare_nuclei}{Bare nuclei (integer, 1-10).}
#'   \item{bland_chromatin}{Bland chromatin (integer, 1-10).}
#'   \item{normal_nucleoli}{Normal nucleoli (integer, 1-10).}
#'   \item{mitoses}{Mitoses (integer, 1-10).}
#'   \item{diagnosis}{Factor with levels `benign` and `malignant`.}
#' }
#' @source Wolberg, W. (1992). Breast Cancer Wisconsin (Original). UCI
#'   Machine Learning Repository, \doi{10.24432/C5HP4Z}. Licensed under
#'   Creative Commons Attribution 4.0 International (CC BY 4.0). Taken here
#'   from the copy in the MASS package (`MASS::biopsy`), complete cases only,
#'   columns renamed.
#' @references Wolberg, W. H. and Mangasarian, O. L. (1990). Multisurface
#'   method of pattern separation for medical diagnosis applied to breast
#'   cytology. *Proceedings of the National Academy of Sciences*, 87,
#'   9193-9196.
#' @examples
#' str(breast_biopsy)
#' table(breast_biopsy$diagnosis)
"breast_biopsy"
