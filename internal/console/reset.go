package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/password"
)

// Password reset by e-mail, without signing in: ask with your address, get
// a link that works once for an hour, choose a new password.
func (c *Console) resetRoutes() []route {
	return []route{
		{method: "GET", path: "/login/reset", serve: c.resetForm},
		{method: "POST", path: "/login/reset", serve: c.requestReset},
		{method: "GET", path: "/login/reset/{token}", serve: c.resetLink},
		{method: "POST", path: "/login/reset/{token}", serve: c.resetPassword},
	}
}

type resetView struct {
	// Sent: the request was taken (whether or not the address has an
	// account: the answer is the same).
	Sent  bool
	Email string
	// Token and User are the link's, on the page that sets the password.
	Token     string
	User      herald.User
	MinLength int
	Error     *herald.Error
}

func (c *Console) resetForm(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	c.render(w, r, http.StatusOK, "reset", a, resetView{})
	return nil
}

// requestReset answers the same whether or not the address has an
// account, and whether or not the mail could be sent: the answer must not
// tell anyone which addresses have accounts. For the same reason the mail
// is sent after the answer, not before it: a conversation with the SMTP
// server would make the answer for a real account slower. A failed send
// is logged; the person asks again.
func (c *Console) requestReset(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		fe := herald.FieldErrors{}
		fe.Add("email", "enter your e-mail address")
		c.render(w, r, http.StatusBadRequest, "reset", a, resetView{Error: fe.Err().(*herald.Error)})
		return nil
	}
	token, u, err := c.cfg.Auth.RequestPasswordReset(r.Context(), email)
	if err != nil {
		return err
	}
	if token != "" {
		ctx := context.WithoutCancel(r.Context())
		go func() {
			if err := c.sendReset(ctx, u, token); err != nil {
				c.log.Warn("password reset asked for but not sent", "user", u.ID, "err", err)
			}
		}()
	}
	c.render(w, r, http.StatusOK, "reset", a, resetView{Sent: true, Email: email})
	return nil
}

// resetLink shows the form to choose a new password. Opening the link uses
// nothing up (mail scanners open links); only the form's POST does.
func (c *Console) resetLink(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	token := r.PathValue("token")
	u, err := c.cfg.Auth.PasswordReset(r.Context(), token)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "reset-password", a, resetView{Token: token, User: u, MinLength: password.MinLength})
	return nil
}

func (c *Console) resetPassword(w http.ResponseWriter, r *http.Request, a herald.Actor) error {
	token := r.PathValue("token")
	u, err := c.cfg.Auth.ResetPassword(r.Context(), token, r.PostFormValue("password"))
	if err != nil {
		herr, status, ok := refusal(err)
		if !ok {
			return err
		}
		c.render(w, r, status, "reset-password", a, resetView{Token: token, User: u, MinLength: password.MinLength, Error: herr})
		return nil
	}
	c.log.Info("password reset", "user", u.ID)
	c.setCookie(w, "", -1)
	redirect(w, r, "/login", "Your new password is set and every session of yours has ended. Sign in with it.")
	return nil
}
