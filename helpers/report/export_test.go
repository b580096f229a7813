package report

import "os"

var osExit = os.Exit
