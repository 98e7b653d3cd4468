print("bastion-play")
