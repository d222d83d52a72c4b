package bottest

// Forward forwards to the bot a message that from wrote, naming them in
// its forward_origin.
func (p *Phone) Forward(from *Phone, text string) int64 {
	return p.b.API.SendForward(p.User, from.User, text)
}

// ForwardHidden forwards a message from someone who hides their account
// in forwards: only the name they show comes with it.
func (p *Phone) ForwardHidden(senderName, text string) int64 {
	return p.b.API.SendHiddenForward(p.User, senderName, text)
}
