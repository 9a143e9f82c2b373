package main

import "html/template"

var page = template.Must(template.ParseGlob("templates/*.html"))

func main() {}
