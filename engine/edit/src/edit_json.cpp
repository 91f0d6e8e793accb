// placeholder: implemented in the following commits
