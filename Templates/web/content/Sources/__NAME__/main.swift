import __NAME__App
import Hostctl

let app = WebApplication.builder().build()
// As ASP.NET's templates: outside Development, browsers are told to keep to HTTPS (HSTS);
// plain http:// requests are redirected to the https:// URL (the `https` profile has one:
// `hostctl dev-certs https --trust` makes the certificate it uses).
if !app.isDevelopment { app.useHsts() }
app.useHttpsRedirection()
configure(app)
app.run()
