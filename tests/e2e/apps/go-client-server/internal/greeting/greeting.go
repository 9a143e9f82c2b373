// Package greeting is shared by the client and the server.
package greeting

import "fmt"

// Message is what the server answers to a client called name.
func Message(name string) string {
	return fmt.Sprintf("hello, %s", name)
}
