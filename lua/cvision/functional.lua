-- cvision.functional: the functional API under its former name (cvision.models.functional)
return require "cvision.models.functional"
