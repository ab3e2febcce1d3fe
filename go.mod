module github.com/arcgym/arcgym

go 1.26.8
