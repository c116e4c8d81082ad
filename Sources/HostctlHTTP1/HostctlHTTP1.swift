// The HTTP/1.1 codec: see the files beside this one.
