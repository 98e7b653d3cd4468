print("bastion")
