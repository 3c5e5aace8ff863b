module github.com/svm-dev/svm/svm/go

go 1.19
