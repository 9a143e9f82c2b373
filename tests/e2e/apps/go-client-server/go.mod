module example.com/clientserver

go 1.19
