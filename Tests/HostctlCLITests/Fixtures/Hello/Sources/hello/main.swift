print("hello from the fixture")
