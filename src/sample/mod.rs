//! A synthetic county with ground truth: the generator behind `loubao sample`, and `eval`.
