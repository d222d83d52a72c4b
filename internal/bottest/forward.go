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

// ForwardVoice forwards a voice message from, a forward without text.
func (p *Phone) ForwardVoice(from *Phone) int64 {
	return p.b.API.SendForwardVoice(p.User, from.User)
}
