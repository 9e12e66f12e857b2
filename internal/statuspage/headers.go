package statuspage

// ContentSecurityPolicy is what the public pages need and nothing more:
// no script at all, the stylesheet from this origin plus the one inline
// <style> that carries the page's accent colour (it changes with the
// settings, so a hash would not do), images from anywhere for the logo,
// forms that post only here, and no framing (clickjacking). The server
// sends it on every answer, the JSON API's included.
const ContentSecurityPolicy = "default-src 'none'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' https: http: data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
