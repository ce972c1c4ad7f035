"""Model enterprises (示范企业) and rewards: quotas per region, nominations under the honours
veto (一票否决), the district's acceptance and reward, featured contract texts, and the sums."""
