import __NAME__App
import Hostctl

let app = WebApplication.builder().build()
configure(app)
app.run()
