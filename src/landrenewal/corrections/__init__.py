"""Corrections of single records made in the web forms (an enterprise's yearly figures), each
checked like an import row, written with its reason, and audited with before and after."""
